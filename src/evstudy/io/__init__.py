"""One reader per raw format."""
