import dagster as dg

# One partition per USITC HTS release (e.g. 2025HTSRev23), registered by raw/hts_releases.
hts_release_partitions = dg.DynamicPartitionsDefinition(name="hts_release")
