"""The web front end of ``kg serve``: node pages, search and the query editor."""
