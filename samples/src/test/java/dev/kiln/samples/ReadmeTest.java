package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README says what the repository does: its quick start is samples/quickstart (which
 * {@code mvn -B verify} builds and runs), and CI runs the README's test command.
 */
class ReadmeTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path QUICKSTART = ROOT.resolve("samples/quickstart");

  private static String read(String path) throws IOException {
    return Files.readString(ROOT.resolve(path), StandardCharsets.UTF_8);
  }

  /** The fenced blocks of {@code language} in the README, in order. */
  private static List<String> blocks(String language) throws IOException {
    Matcher m = Pattern.compile("(?m)^```" + language + "\n(.*?)^```$", Pattern.DOTALL).matcher(read("README.md"));
    List<String> blocks = new ArrayList<>();
    while (m.find()) {
      blocks.add(m.group(1));
    }
    return blocks;
  }

  @Test
  void quickStartCodeIsTheQuickstartProjectsSources() throws IOException {
    List<String> java = blocks("java");
    assertEquals(Files.readString(QUICKSTART.resolve("src/main/java/com/example/Iris.java")), java.get(0));
    assertEquals(Files.readString(QUICKSTART.resolve("src/main/java/com/example/QuickStart.java")), java.get(1));
  }

  @Test
  void mavenSnippetIsTheQuickstartPomWithPinnedCompilerPlugin() throws IOException {
    String snippet = blocks("xml").get(0);
    assertTrue(snippet.startsWith("<dependencies>\n") && snippet.endsWith("</build>\n"), snippet);
    String pom = Files.readString(QUICKSTART.resolve("pom.xml"));
    // The quick start's pom adds one plugin to run it; without it, the snippet is the pom's body.
    String runPlugin = pom.substring(pom.indexOf("      <!-- Not part of the README's snippet"),
        pom.indexOf("      </plugin>\n", pom.indexOf("exec-maven-plugin")) + "      </plugin>\n".length());
    String indented = snippet.lines().map(l -> l.isEmpty() ? l : "  " + l).reduce("", (a, l) -> a + l + "\n");
    assertTrue(pom.replace(runPlugin, "").contains(indented), "README snippet, indented, in\n" + pom.replace(runPlugin, ""));
    // The same compiler plugin version as the build's own pluginManagement.
    String parent = read("pom.xml");
    assertEquals(compilerVersion(parent), compilerVersion(snippet));
    assertEquals("3.13.0", compilerVersion(snippet));
    // The versions it names are this build's.
    Matcher version = Pattern.compile("<artifactId>kiln-parent</artifactId>\\s*<version>([^<]+)</version>").matcher(parent);
    assertTrue(version.find());
    Matcher kiln = Pattern.compile("<artifactId>kiln-[a-z-]+</artifactId>\\s*<version>([^<]+)</version>").matcher(snippet);
    int count = 0;
    while (kiln.find()) {
      assertEquals(version.group(1), kiln.group(1), kiln.group());
      count++;
    }
    assertEquals(3, count, "annotations, runtime and processor");
  }

  private static String compilerVersion(String pom) {
    Matcher m = Pattern.compile("<artifactId>maven-compiler-plugin</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
    assertTrue(m.find(), "maven-compiler-plugin with a version");
    return m.group(1);
  }

  @Test
  void ciRunsTheReadmesTestCommandOnJdk17And25() throws IOException {
    String commands = blocks("bash").get(0);
    List<String> lines = commands.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    assertEquals(List.of("./demo", "mvn -B verify"), lines);
    String ci = read(".ci/run");
    assertTrue(ci.contains("\nmvn -B verify\n"), ci);
    assertTrue(ci.contains("\n  JAVA_HOME=\"$JDK25\" mvn -B verify\n"), ci);
    assertTrue(Files.isExecutable(ROOT.resolve("demo")));
  }
}
