/* The caller's side of a foreground terminal (run/exec -t without
 * --console-socket): raw mode and copying. */
#ifndef HUSK_RUNTIME_TERMINAL_H
#define HUSK_RUNTIME_TERMINAL_H

#include <termios.h>

/* -1 with errno when fd is no terminal. */
int husk_terminal_raw (int fd, struct termios *saved);
void husk_terminal_restore (int fd, const struct termios *saved);
void husk_terminal_copy_size (int from, int to);
int husk_terminal_pump (int in, int out);

#endif
