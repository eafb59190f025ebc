// Placeholder until the Broker module lands; see ../shared/DESIGN.md.
