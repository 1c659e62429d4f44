"""The messages of every domain, one module per domain (Cosmic Python's commands and events).

Any domain may import any module here (they hold data only, no behaviour beyond naming their archive entry);
`xinyong.handlers` maps them to the handlers of the domains that react. A new gazette module adds its file.
"""
