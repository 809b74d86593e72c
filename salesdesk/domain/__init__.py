"""Domain knowledge without Qt and without SQL: stages, roles, periods, money."""
