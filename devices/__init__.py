"""Device adapters (printer, drawer, scanner) behind small Protocols, with fakes for tests.

Devices may use the domain's values but never import Textual or the screens.
"""
