"""Agency extracts into the child index, as a package: the pipeline and the data
officers' sub-app (views, forms, urls, actions, queries).

See docs/decisions/0064-pipelines-as-packages.md.
"""
