"""The automatic-injection admission webhook: decisions, admission reviews, JSON patches, the server.

Layering: `selectors`, `decision`, `jsonpatch` and `admission` are pure; `engine` adapts the
injection engine (`sidecarctl.inject`); `server` is the only module that imports aiohttp.
"""
