//! Pure validators over the logs that group and order checks record, each tested with
//! proptest on generated good and bad logs.

pub mod barbershop;
pub mod building_h2o;
pub mod cigarette_smokers;
pub mod dining_savages;
pub mod river_crossing;
pub mod roller_coaster;
pub mod santa_claus;
pub mod unisex_bathroom;
