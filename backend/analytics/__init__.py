"""Analytics: delivery KPIs (on-time, first attempts, stops per hour, km and CO2, ETA error, returns, pickup
waiting) per day, driver, zone, vehicle profile and carrier, and their CSV export. Read-only."""
