"""Events about candidates, written to a transactional outbox with the change they describe."""
