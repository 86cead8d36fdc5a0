"""HTTP plumbing shared by every router: errors, auth, request parsing, middleware."""
