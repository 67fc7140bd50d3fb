//! Pure validators over the logs that group and order checks record, each tested with
//! proptest on generated good and bad logs.
