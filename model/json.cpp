// Boost.JSON, compiled once for the whole project (header-only mode needs exactly one TU).
#include <boost/json/src.hpp>
