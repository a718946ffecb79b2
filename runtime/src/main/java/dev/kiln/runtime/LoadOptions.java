package dev.kiln.runtime;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How {@link ModelCore#loadPartial} reads part of a weights file into a network (transfer
 * learning: a base trained elsewhere). Immutable; each method returns a changed copy.
 *
 * <ul>
 *   <li>{@link #strict(boolean)}: strict (the default) requires every wanted model tensor to be in
 *       the file with the right shape and every file tensor to be used; a strict load that fails
 *       changes nothing. Non-strict loads what fits and reports the rest.
 *   <li>{@link #mapping(Map)}: file layer names to Kiln layer names, for files whose names differ,
 *       e.g. PyTorch's {@code nn.Sequential} keys: {@code Map.of("0", "hidden", "features.3",
 *       "conv")} reads {@code 0.weight} into {@code hidden.weight}. A file tensor {@code
 *       <prefix>.<suffix>} maps by its prefix (all but the last dot-separated part); unmapped
 *       prefixes keep their name.
 *   <li>{@link #layers(String...)}: only these Kiln layers are wanted (all by default); file
 *       tensors of other layers are skipped.
 * </ul>
 */
public final class LoadOptions {
  private final boolean strict;
  private final Map<String, String> mapping;
  private final Set<String> layers;

  private LoadOptions(boolean strict, Map<String, String> mapping, Set<String> layers) {
    this.strict = strict;
    this.mapping = mapping;
    this.layers = layers;
  }

  /** Strict, no mapping, every layer wanted. */
  public static LoadOptions defaults() {
    return new LoadOptions(true, Map.of(), null);
  }

  /** {@link #defaults()} with the given strictness. */
  public static LoadOptions strict(boolean strict) {
    return new LoadOptions(strict, Map.of(), null);
  }

  /** This with file layer names mapped to Kiln layer names (replacing any earlier mapping). */
  public LoadOptions mapping(Map<String, String> fileToModel) {
    Objects.requireNonNull(fileToModel, "fileToModel");
    Map<String, String> copy = new LinkedHashMap<>();
    fileToModel.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "mapping key"),
        Objects.requireNonNull(v, "mapping value for " + k)));
    return new LoadOptions(strict, Map.copyOf(copy), layers);
  }

  /** This wanting only the named Kiln layers. */
  public LoadOptions layers(String... names) {
    Objects.requireNonNull(names, "names");
    Set<String> wanted = new LinkedHashSet<>();
    for (String name : names) {
      wanted.add(Objects.requireNonNull(name, "layer name"));
    }
    return new LoadOptions(strict, mapping, Set.copyOf(wanted));
  }

  public boolean isStrict() {
    return strict;
  }

  public Map<String, String> fileToModel() {
    return mapping;
  }

  /** The wanted layers, or null for all. */
  public Set<String> wantedLayers() {
    return layers;
  }

  /** The Kiln tensor name a file tensor name maps to. */
  public String modelName(String fileName) {
    int dot = fileName.lastIndexOf('.');
    if (dot < 0) {
      return mapping.getOrDefault(fileName, fileName);
    }
    String prefix = fileName.substring(0, dot);
    String mapped = mapping.get(prefix);
    return mapped == null ? fileName : mapped + fileName.substring(dot);
  }

  @Override
  public String toString() {
    return "LoadOptions(strict=" + strict + ", mapping=" + mapping + ", layers="
        + (layers == null ? "all" : List.copyOf(layers)) + ")";
  }
}
