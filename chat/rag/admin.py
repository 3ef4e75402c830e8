"""Admin of projects, documents and chunks."""
