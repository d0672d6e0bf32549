"""Textual screens (here), their dialogs (screens.dialogs) and widgets (screens.widgets): they
show state and turn keys into service calls. The stylesheets sit here too; screens.styles names
them."""
