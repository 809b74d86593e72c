"""Small reusable widgets: cards, bars, banners."""
