"""Modal dialogs, one module per idea. Each is a `ModalScreen[T]` that dismisses with its answer;
Esc dismisses with None (or what the dialog says) and changes nothing."""
