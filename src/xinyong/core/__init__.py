"""The platform layer every domain stands on: settings, the clock, domain events and the unit of work.

Nothing here imports a domain; domains and the composition root (`xinyong.bootstrap`, `xinyong.handlers`)
import from here. See docs/architecture.md.
"""
