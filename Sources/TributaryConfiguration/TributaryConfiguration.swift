// Placeholder until the configuration file loader lands.
