"""Settings for the benchmark servers: the project's, plus two routes that pin the claim
list to one implementation (serializers, or ``claims.fast_list``) whatever the view uses."""

from project.settings import *  # noqa: F401,F403

ROOT_URLCONF = "bench_urls"
