// Nothing to import: the target only defines KafkaFuzz_main (see entry.c).
#ifndef C_KAFKA_FUZZ_ENTRY_H
#define C_KAFKA_FUZZ_ENTRY_H
#endif
