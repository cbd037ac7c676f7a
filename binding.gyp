{
  "targets": [
    {
      "target_name": "udp_reader",
      "sources": ["native/udp_reader.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-std=gnu11"],
      "conditions": [["OS!='linux'", { "type": "none", "sources!": ["native/udp_reader.c"] }]]
    },
    {
      "target_name": "reexec",
      "sources": ["native/reexec.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-std=gnu11"],
      "conditions": [["OS=='win'", { "type": "none", "sources!": ["native/reexec.c"] }]]
    }
  ]
}
