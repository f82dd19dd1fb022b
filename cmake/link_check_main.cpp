// The program each daemon library is linked into, whole, with only its declared dependencies
// (daemon/CMakeLists.txt): it is never run; linking it is the check.
int main() {
  return 0;
}
