// Placeholder until the MQTTClient module lands; see ../shared/DESIGN.md.
