/* The SPARQL editor: turns <textarea data-editor> into YASQE (vendor/yasgui), offline.
 *
 * The textarea stays the form's field: the editor writes its text back before the form is
 * sent, so running a query is an ordinary GET of /query (and the page works without
 * scripts).  Completion comes from this site only: kg's prefixes and the ontology's
 * classes and properties, read from the URL in the textarea's data-vocabulary attribute.
 * YASQE's own completers that ask the network (Linked Open Vocabularies for classes and
 * properties, prefix.cc when configured) are never enabled, and neither are its share
 * link, its storage of the query in localStorage and its own query button (which would
 * send the query elsewhere than the form does).  Nothing here writes HTML from text:
 * the syntax-error mark says its message through a title attribute.
 */
(function () {
  "use strict";

  var area = document.querySelector("textarea[data-editor]");
  if (!area || typeof Yasqe === "undefined") {
    return;
  }
  var vocabulary = { prefixes: {}, classes: [], properties: [] };
  var loaded = fetch(area.getAttribute("data-vocabulary") || "/vocabulary.json", {
    credentials: "same-origin",
  })
    .then(function (response) {
      if (!response.ok) {
        throw new Error("vocabulary: HTTP " + response.status);
      }
      return response.json();
    })
    .then(function (data) {
      vocabulary = data;
      return data;
    })
    .catch(function () {
      return vocabulary; // the editor works without completion
    });

  /* The prefixes a name may use: kg's, which the endpoint predefines, and the query's. */
  function prefixes(yasqe) {
    var all = {};
    Object.keys(vocabulary.prefixes).forEach(function (p) {
      all[p] = vocabulary.prefixes[p];
    });
    var declared = yasqe.getPrefixesFromQuery();
    Object.keys(declared).forEach(function (p) {
      all[p] = declared[p];
    });
    return all;
  }

  /* What the user typed, as the start of a full IRI (kg:Pa -> https://w3id.org/kg/ns#Pa). */
  function expand(yasqe, token) {
    var text = token.string.trim();
    token.tokenPrefix = undefined;
    token.tokenPrefixUri = undefined;
    if (text.charAt(0) === "<") {
      token.autocompletionString = text.slice(1).replace(/>$/, "");
      return token;
    }
    var colon = text.indexOf(":");
    var known = prefixes(yasqe);
    var prefix = colon >= 0 ? text.slice(0, colon) : null;
    if (prefix !== null && Object.prototype.hasOwnProperty.call(known, prefix)) {
      token.tokenPrefix = prefix + ":";
      token.tokenPrefixUri = known[prefix];
      token.autocompletionString = known[prefix] + text.slice(colon + 1);
    } else {
      token.autocompletionString = text;
    }
    return token;
  }

  /* The suggestion as the user wrote the name: prefixed if they did, else <IRI>. */
  function shorten(yasqe, token, iri) {
    if (token.tokenPrefix && token.tokenPrefixUri && iri.indexOf(token.tokenPrefixUri) === 0) {
      return token.tokenPrefix + iri.slice(token.tokenPrefixUri.length);
    }
    return "<" + iri + ">";
  }

  function matching(kind) {
    return function (yasqe, token) {
      return loaded.then(function () {
        var start = ((token && token.autocompletionString) || "").toLowerCase();
        return vocabulary[kind]
          .map(function (term) {
            return term.iri;
          })
          .filter(function (iri) {
            return iri.toLowerCase().indexOf(start) === 0;
          });
      });
    };
  }

  Yasqe.defaults.autocompleters = ["variables"]; // only completers that stay on this page
  Yasqe.forkAutocompleter(
    "prefixes",
    {
      name: "kgPrefixes",
      persistenceId: null,
      get: function () {
        return loaded.then(function () {
          return Object.keys(vocabulary.prefixes)
            .sort()
            .map(function (p) {
              return p + ": <" + vocabulary.prefixes[p] + ">";
            });
        });
      },
    },
    true,
  );
  ["class", "property"].forEach(function (kind) {
    Yasqe.forkAutocompleter(
      kind,
      {
        name: kind === "class" ? "kgClasses" : "kgProperties",
        get: matching(kind === "class" ? "classes" : "properties"),
        preProcessToken: expand,
        postProcessSuggestion: shorten,
      },
      true,
    );
  });

  /* YASQE's syntax check, with its message as text (its own writes HTML with a style
   * attribute, which the Content-Security-Policy refuses). */
  Yasqe.prototype.checkSyntax = function () {
    this.queryValid = true;
    this.clearGutter("gutterErrorBar");
    var doc = this.getDoc();
    for (var line = 0; line < doc.lineCount(); ++line) {
      var state = this.getTokenAt({ line: line, ch: doc.getLine(line).length }, true).state;
      this.setOption("queryType", state.queryType);
      if (state.OK === false) {
        var mark = document.createElement("span");
        mark.className = "parseErrorIcon kg-syntax-mark";
        mark.textContent = "!";
        mark.title = state.errorMsg
          ? state.errorMsg
          : "This line is invalid. Expected: " + (state.possibleCurrent || []).join(", ");
        this.setGutterMarker(line, "gutterErrorBar", mark);
        this.queryValid = false;
        break;
      }
    }
  };

  var form = area.form;
  function run() {
    if (form) {
      area.value = yasqe.getValue();
      if (form.requestSubmit) {
        form.requestSubmit();
      } else {
        form.submit();
      }
    }
  }

  var holder = document.createElement("div");
  holder.className = "kg-editor";
  area.parentNode.insertBefore(holder, area.nextSibling);
  var yasqe = new Yasqe(holder, {
    value: area.value,
    persistenceId: null,
    consumeShareLink: null,
    createShareableLink: null,
    showQueryButton: false,
    prefixCcApi: null,
    resizeable: true,
    editorHeight: area.getAttribute("data-height") || "300px",
    requestConfig: { endpoint: area.getAttribute("data-endpoint") || "/sparql" },
    extraKeys: { "Ctrl-Enter": run, "Cmd-Enter": run },
  });
  area.classList.add("kg-replaced");
  var errorLine = parseInt(area.getAttribute("data-error-line") || "", 10);
  if (errorLine > 0 && errorLine <= yasqe.getDoc().lineCount()) {
    var errorColumn = parseInt(area.getAttribute("data-error-column") || "1", 10) || 1;
    yasqe.addLineClass(errorLine - 1, "background", "kg-error-line");
    yasqe.focus();
    yasqe.setCursor({ line: errorLine - 1, ch: errorColumn - 1 });
  }
  if (form) {
    form.addEventListener("submit", function () {
      area.value = yasqe.getValue();
    });
  }
  window.kgEditor = yasqe; // for the tests and the browser console
})();
