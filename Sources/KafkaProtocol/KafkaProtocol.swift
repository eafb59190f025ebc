// Placeholder until the KafkaProtocol module lands; see ../shared/DESIGN.md.
