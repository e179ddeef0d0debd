{
  "targets": [
    {
      "target_name": "moonbridge",
      "sources": [
        "native/addon.cc",
        "native/errors.cc",
        "native/process.cc",
        "native/signals.cc",
        "native/fd.cc",
        "native/socket.cc",
        "native/sockmsg.cc",
        "native/time.cc",
        "native/daemon.cc",
        "native/file.cc",
        "native/spawn.cc",
        "native/locale.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_CPP_EXCEPTIONS"
      ],
      "cflags!": [ "-fno-exceptions" ],
      "cflags_cc!": [ "-fno-exceptions" ],
      "cflags": [
        "-O2",
        "-Wall",
        "-Wextra",
        "-Wno-unused-parameter",
        "-Wformat",
        "-Wformat-security",
        "-fstack-protector-strong",
        "-U_FORTIFY_SOURCE",
        "-D_FORTIFY_SOURCE=2",
        "-fPIC"
      ],
      "cflags_cc": [ "-fexceptions" ],
      "ldflags": [
        "-Wl,-z,relro",
        "-Wl,-z,now",
        "-Wl,-z,noexecstack"
      ],
      "configurations": {
        "Release": {
          "cflags!": [ "-O3" ]
        }
      },
      "conditions": [
        [ "OS!='linux'", { "type": "none" } ]
      ]
    }
  ]
}
