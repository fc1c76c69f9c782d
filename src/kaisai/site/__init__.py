"""The top layer: the home page, pages that combine several apps, demo data and the management
commands that reach into the domain apps. It may import any app; no app imports it."""
