"""The customer club (kundeklubb): members, their consents, member prices and personal offers."""
