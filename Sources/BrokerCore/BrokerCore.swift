// Placeholder until the BrokerCore module lands; see ../shared/DESIGN.md.
