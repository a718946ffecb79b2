package dev.kiln.processor;

import dev.kiln.processor.model.LayerPlan;
import dev.kiln.processor.model.NetworkPlan;
import dev.kiln.processor.model.Site;
import dev.kiln.safetensors.BatchCounters;
import dev.kiln.safetensors.DType;
import dev.kiln.safetensors.SafeTensorsFormatException;
import dev.kiln.safetensors.SafeTensorsHeader;
import dev.kiln.safetensors.TensorInfo;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.processing.Filer;
import javax.lang.model.element.TypeElement;
import javax.tools.FileObject;
import javax.tools.StandardLocation;

/**
 * Compile-time check of an {@code @Weights} file against the planned parameter tensors. The
 * header is read by kiln-safetensors' {@link SafeTensorsHeader}, the strict reader the runtime's
 * load uses too, so a file compiles only if the load would accept it (the processor does not
 * depend on the runtime itself). A file the processor cannot see is reported as a warning and
 * left to the load-time check.
 */
final class WeightsCheck {
  private static final StandardLocation[] LOCATIONS = {
      StandardLocation.CLASS_OUTPUT, StandardLocation.SOURCE_PATH, StandardLocation.CLASS_PATH};

  private final Filer filer;
  private final Diagnostics diagnostics;

  WeightsCheck(Filer filer, Diagnostics diagnostics) {
    this.filer = filer;
    this.diagnostics = diagnostics;
  }

  /**
   * True when {@code resource} names a file: optionally one leading '/', then segments that are
   * neither empty nor "." nor "..".
   */
  static boolean namesAFile(String resource) {
    String relative = resource.startsWith("/") ? resource.substring(1) : resource;
    for (String segment : relative.split("/", -1)) {
      if (segment.isBlank() || segment.equals(".") || segment.equals("..")) {
        return false;
      }
    }
    return true;
  }

  void check(NetworkPlan plan, String resource) {
    TypeElement type = plan.spec().type();
    Site site = plan.spec().weightsSite();
    if (!namesAFile(resource)) {
      diagnostics.error(site, "value", Message.WEIGHTS_PATH, resource);
      return;
    }
    String pkg = resource.startsWith("/") ? "" : packageOf(type);
    String relative = resource.startsWith("/") ? resource.substring(1) : resource;
    SafeTensorsHeader header = null;
    boolean found = false;
    for (StandardLocation location : LOCATIONS) {
      FileObject file;
      InputStream in;
      try {
        file = filer.getResource(location, pkg, relative);
        in = file.openInputStream();
      } catch (IOException | IllegalArgumentException | IllegalStateException e) {
        continue; // not in this location
      }
      found = true;
      try (in) {
        header = read(file, in, resource);
      } catch (SafeTensorsFormatException e) {
        diagnostics.error(site, "value", Message.WEIGHTS_FORMAT, resource, e.problem());
        return;
      } catch (IOException e) {
        diagnostics.error(site, "value", Message.WEIGHTS_FORMAT, resource,
            "it could not be read (" + e + ")");
        return;
      }
      break;
    }
    if (!found) {
      String where = pkg.isEmpty() ? relative : pkg.replace('.', '/') + "/" + relative;
      diagnostics.warning(site, "value", Message.WEIGHTS_NOT_FOUND, resource, where);
      return;
    }
    compare(plan, header, site, resource);
  }

  /** A file on disk is read through a channel (its header only); anything else is streamed. */
  private static SafeTensorsHeader read(FileObject file, InputStream in, String resource)
      throws IOException {
    URI uri = file.toUri();
    if ("file".equals(uri.getScheme())) {
      try (FileChannel channel = FileChannel.open(Path.of(uri), StandardOpenOption.READ)) {
        return SafeTensorsHeader.read(channel, resource);
      } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
        // not a plain file after all: stream it
      }
    }
    return SafeTensorsHeader.read(in, resource);
  }

  /** The same rules as the runtime's load: the planned F32 tensors, batch counters, nothing else. */
  private void compare(NetworkPlan plan, SafeTensorsHeader header, Site site, String resource) {
    Map<String, TensorInfo> tensors = header.tensorsByName();
    List<String> expected = new ArrayList<>();
    for (LayerPlan layer : plan.layers()) {
      for (LayerPlan.TensorPlan t : layer.tensors()) {
        for (String suffix : t.parameter().savedSuffixes()) {
        String name = layer.name() + "." + suffix;
        expected.add(name);
        TensorInfo info = tensors.get(name);
        if (info == null) {
          diagnostics.error(site, "value", Message.WEIGHTS_MISMATCH, resource, "tensor \"" + name + "\" is missing");
          continue;
        }
        if (info.dtype() != DType.F32) {
          diagnostics.error(site, "value", Message.WEIGHTS_MISMATCH, resource,
              "tensor \"" + name + "\" has dtype " + info.dtype() + ", expected F32");
        }
        long[] planned = Arrays.stream(t.parameter().savedShape().toArray()).asLongStream().toArray();
        if (!Arrays.equals(info.shape(), planned)) {
          diagnostics.error(site, "value", Message.WEIGHTS_MISMATCH, resource,
              "tensor \"" + name + "\" has shape " + Arrays.toString(info.shape()) + ", expected "
                  + Arrays.toString(planned));
        }
        }
      }
    }
    Set<String> counters = BatchCounters.expectedFor(expected);
    for (TensorInfo info : header.tensors()) {
      if (expected.contains(info.name())) {
        continue;
      }
      if (counters.contains(info.name())) {
        String problem = BatchCounters.problem(info);
        if (problem != null) {
          diagnostics.error(site, "value", Message.WEIGHTS_MISMATCH, resource, problem);
        }
        continue;
      }
      diagnostics.error(site, "value", Message.WEIGHTS_MISMATCH, resource,
          "tensor \"" + info.name() + "\" is not in network " + plan.spec().type().getSimpleName()
              + " (it has " + expected + ")");
    }
  }

  private static String packageOf(TypeElement type) {
    javax.lang.model.element.Element e = type;
    while (!(e instanceof javax.lang.model.element.PackageElement)) {
      e = e.getEnclosingElement();
    }
    return ((javax.lang.model.element.PackageElement) e).getQualifiedName().toString();
  }
}
