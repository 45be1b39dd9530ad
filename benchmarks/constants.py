"""Names and numbers of the national view."""

# The task that computes one territory's aggregates, in its schema. It is review/'s (a tenant app,
# which benchmarks/, a public-schema app, never imports): named here, sent by name.
TERRITORY_TASK = "review.collect_territory_benchmark"

# The payload's format, so that a merge never reads a territory's aggregates of another shape.
PAYLOAD_VERSION = 1
