package io.github.imdsenv.cli;

import java.util.Collection;

/**
 * The name a mistyped word most likely meant ({@code docter}: doctor, {@code --fromat}: --format):
 * picocli suggests only options that share the word's first two letters.
 */
final class Typo {

  private Typo() {}

  /**
   * The name of {@code names} nearest to {@code word} by edits (a swap of two neighbours is one),
   * when that is at most two and at most a third of the word without its dashes; else null.
   */
  static String closest(String word, Collection<String> names) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String name : names) {
      int d = distance(word, name);
      if (d < bestDistance) {
        best = name;
        bestDistance = d;
      }
    }
    int letters = word.replaceFirst("^-+", "").length();
    return bestDistance <= 2 && bestDistance * 3 <= letters ? best : null;
  }

  /** Optimal string alignment distance: insertions, deletions, substitutions, transpositions. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      for (int j = 0; j <= b.length(); j++) {
        if (i == 0 || j == 0) {
          d[i][j] = i + j;
          continue;
        }
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
