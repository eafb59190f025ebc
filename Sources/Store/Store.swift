// Placeholder until the Store module lands; see docs/architecture.md.
