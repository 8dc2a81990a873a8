"""The browser pages of the cases app, one module per page family."""
