package io.github.imdsenv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packages of the runtime depend on each other one way, without a cycle: cli on everything
 * below it; imds and container on http, credentials and settings; format, sink and the rest on
 * lower layers only; the root's shared types (the exception, Log, Printable) on nothing of ours.
 *
 * <p>Read from the sources (imports and fully qualified names, comments left out). The entry point,
 * {@code Main}, lives in {@code cli}: the root package holds only what every layer shares.
 */
class PackageCycleTest {

  private static final String ROOT = "io.github.imdsenv";
  private static final Path SOURCES = Path.of("src/main/java");
  private static final Pattern REFERENCE =
      Pattern.compile("\\bio\\.github\\.imdsenv\\.([A-Za-z_]\\w*)");
  private static final Pattern COMMENT = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);

  @Test
  void packagesOfTheRuntime_formNoCycle() throws IOException {
    Map<String, Set<String>> graph = graph();
    assertTrue(graph.size() > 5, "no sources found under " + SOURCES.toAbsolutePath());
    List<List<String>> cycles = cycles(graph);
    assertEquals(List.of(), cycles, "package cycles (edges: " + graph + ")");
  }

  @Test
  void theCheck_findsACycle() {
    Map<String, Set<String>> graph =
        new TreeMap<>(
            Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a")));
    assertEquals(List.of(List.of("a", "b", "c")), cycles(graph));
  }

  /** Package → the packages of this project it refers to. */
  static Map<String, Set<String>> graph() throws IOException {
    Map<String, Set<String>> graph = new TreeMap<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String pkg = SOURCES.relativize(file.getParent()).toString().replace('/', '.');
        if (!pkg.startsWith(ROOT)) {
          continue;
        }
        Set<String> edges = graph.computeIfAbsent(pkg, p -> new TreeSet<>());
        Matcher m = REFERENCE.matcher(COMMENT.matcher(Files.readString(file)).replaceAll(" "));
        while (m.find()) {
          String name = m.group(1);
          String target = Character.isUpperCase(name.charAt(0)) ? ROOT : ROOT + "." + name;
          if (!target.equals(pkg)) {
            edges.add(target);
          }
        }
      }
    }
    return graph;
  }

  /** The strongly connected components of more than one package (Tarjan), each sorted. */
  static List<List<String>> cycles(Map<String, Set<String>> graph) {
    return new Object() {
      final Map<String, Integer> index = new TreeMap<>();
      final Map<String, Integer> low = new TreeMap<>();
      final List<String> stack = new ArrayList<>();
      final List<List<String>> found = new ArrayList<>();

      List<List<String>> run() {
        for (String node : graph.keySet()) {
          if (!index.containsKey(node)) {
            visit(node);
          }
        }
        return found;
      }

      void visit(String node) {
        index.put(node, index.size());
        low.put(node, index.get(node));
        stack.add(node);
        for (String next : graph.getOrDefault(node, Set.of())) {
          if (!index.containsKey(next)) {
            visit(next);
            low.put(node, Math.min(low.get(node), low.get(next)));
          } else if (stack.contains(next)) {
            low.put(node, Math.min(low.get(node), index.get(next)));
          }
        }
        if (low.get(node).equals(index.get(node))) {
          List<String> component = new ArrayList<>();
          String top;
          do {
            top = stack.remove(stack.size() - 1);
            component.add(top);
          } while (!top.equals(node));
          if (component.size() > 1) {
            component.sort(null);
            found.add(component);
          }
        }
      }
    }.run();
  }
}
