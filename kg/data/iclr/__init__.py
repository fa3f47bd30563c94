"""The bundled reference corpus: five ICLR listings in five formats (see FORMATS.md)."""
