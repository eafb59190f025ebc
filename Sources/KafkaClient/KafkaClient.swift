// Placeholder until the KafkaClient module lands; see ../shared/DESIGN.md.
