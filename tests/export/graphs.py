"""Graphs that follow the network attribute contract, for the export tests."""

from __future__ import annotations

import itertools
import random

import networkx as nx


def coauthors(people: int, seed: int = 0) -> nx.Graph:
    """A synthetic co-author network of exactly ``people`` people.

    People belong to labs of ~25; each paper has 1–6 authors, mostly from one lab with
    an outside collaborator now and then; a few people write many papers.
    """
    rng = random.Random(seed)
    labs = [list(range(i, min(i + 25, people))) for i in range(0, people, 25)]
    papers: list[list[int]] = []
    for p in range(int(people * 0.9)):
        lab = labs[
            min(int(rng.paretovariate(1.2)) - 1, len(labs) - 1)
            if p % 3 == 0
            else rng.randrange(len(labs))
        ]
        size = min(rng.choice((1, 2, 3, 3, 4, 4, 5, 6)), len(lab))
        weights = [1 / (1 + k) for k in range(len(lab))]
        team = set(rng.choices(lab, weights=weights, k=size))
        if rng.random() < 0.15:
            team.add(rng.randrange(people))
        papers.append(sorted(team))
    written = {person for team in papers for person in team}
    papers += [[person] for person in range(people) if person not in written]
    return from_papers(
        [(f"Paper {i}: a study", team) for i, team in enumerate(papers)],
        {i: f"Person {i:04d}" for i in range(people)},
    )


def from_papers(papers: list[tuple[str, list[int]]], names: dict[int, str]) -> nx.Graph:
    """The co-author graph of (title, authors) pairs, with the contract's attributes."""
    graph = nx.Graph()
    titles: dict[str, list[str]] = {}
    for title, team in papers:
        for person in team:
            titles.setdefault(_iri(person), []).append(title)
        for a, b in itertools.combinations(sorted(team), 2):
            data = graph.get_edge_data(_iri(a), _iri(b)) or {"weight": 0, "paper_titles": []}
            graph.add_edge(
                _iri(a),
                _iri(b),
                weight=data["weight"] + 1,
                paper_titles=[*data["paper_titles"], title],
            )
    for person, name in names.items():
        iri = _iri(person)
        graph.add_node(
            iri,
            label=name,
            type="person",
            iri=iri,
            papers=len(titles.get(iri, [])),
            paper_titles=titles.get(iri, []),
        )
    for node in graph.nodes:
        graph.nodes[node]["degree"] = graph.degree(node)
    communities = nx.community.louvain_communities(graph, weight="weight", seed=0)
    for i, members in enumerate(sorted(communities, key=lambda c: (-len(c), min(c)))):
        for node in members:
            graph.nodes[node]["community"] = i
    return graph


def _iri(person: int) -> str:
    return f"https://w3id.org/kg/id/person/p{person:05d}"
