not a migration at all
