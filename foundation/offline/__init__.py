"""The offline run: the plan command and the Pulumi program under the mock engine."""
