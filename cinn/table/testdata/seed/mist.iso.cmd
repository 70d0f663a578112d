# MIST
#   1   2   3
# EEP   isochrone_age_yr   PS_g
  251   1.2000000000000093E+010   13.834270
