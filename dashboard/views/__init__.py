"""One module per view: `layout()` builds its (hidden until active) container, `register(app,
data)` adds its callbacks. Every view reads the shared `state` store set by the URL router."""
