/* exit42 — returns 42 from main: the start-up code's exit passes it on. */
int main(void) { return 42; }
