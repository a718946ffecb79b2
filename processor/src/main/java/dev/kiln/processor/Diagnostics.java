package dev.kiln.processor;

import dev.kiln.processor.model.Site;
import javax.annotation.processing.Messager;
import javax.lang.model.element.AnnotationValue;
import javax.tools.Diagnostic;

/** Reports catalogued messages at the most precise source position known and counts errors. */
public final class Diagnostics {
  private final Messager messager;
  private int errors;

  public Diagnostics(Messager messager) {
    this.messager = messager;
  }

  /** An error on the annotation value {@code valueName} of {@code site} (or the annotation, or the element). */
  public void error(Site site, String valueName, Message message, Object... args) {
    errors++;
    report(Diagnostic.Kind.ERROR, site, valueName, message, args);
  }

  public void warning(Site site, String valueName, Message message, Object... args) {
    report(Diagnostic.Kind.WARNING, site, valueName, message, args);
  }

  public int errorCount() {
    return errors;
  }

  private void report(Diagnostic.Kind kind, Site site, String valueName, Message message, Object... args) {
    String text = message.format(args);
    AnnotationValue value = valueName == null ? null : site.value(valueName);
    if (value != null) {
      messager.printMessage(kind, text, site.element(), site.annotation(), value);
    } else if (site.annotation() != null) {
      messager.printMessage(kind, text, site.element(), site.annotation());
    } else {
      messager.printMessage(kind, text, site.element());
    }
  }
}
