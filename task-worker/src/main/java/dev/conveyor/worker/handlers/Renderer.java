package dev.conveyor.worker.handlers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Deterministic "generative" pictures for the reference handlers (headless java.awt): the same prompt, size, seed and
 * frame always give the same pixels. A stand-in for a GPU model that still produces real image files.
 */
public final class Renderer {
    private Renderer() {}

    /** One picture; {@code t} in [0,1] moves the scene (0 for still images, the frame position for animations). */
    public static BufferedImage render(String prompt, int width, int height, long seed, double t) {
        long h = seed * 0x9E3779B97F4A7C15L ^ fnv(prompt);
        Random random = new Random(h);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            Color a = new Color(random.nextInt(0xFFFFFF));
            Color b = new Color(random.nextInt(0xFFFFFF));
            g.setPaint(new GradientPaint(0, 0, a, width, height, b));
            g.fillRect(0, 0, width, height);
            int shapes = 6 + random.nextInt(10);
            for (int i = 0; i < shapes; i++) {
                int r = 4 + random.nextInt(Math.max(5, Math.min(width, height) / 4));
                double cx = random.nextDouble() * width
                        + Math.cos(2 * Math.PI * (t + i / (double) shapes)) * width * 0.1 * t;
                double cy = random.nextDouble() * height
                        + Math.sin(2 * Math.PI * (t + i / (double) shapes)) * height * 0.1 * t;
                g.setColor(new Color(random.nextInt(0xFFFFFF) | 0x40000000, true));
                g.fillOval((int) (cx - r), (int) (cy - r), 2 * r, 2 * r);
            }
            g.setColor(new Color(255, 255, 255, 160));
            g.setStroke(new BasicStroke(Math.max(1f, width / 128f)));
            g.drawRect(1, 1, width - 3, height - 3);
            caption(g, prompt, width, height);
        } finally {
            g.dispose();
        }
        return image;
    }

    /** Draws the prompt when the machine has fonts; a machine without any still renders the picture. */
    private static void caption(Graphics2D g, String prompt, int width, int height) {
        if (prompt == null || prompt.isBlank() || height < 32) {
            return;
        }
        try {
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.max(10, Math.min(32, height / 16))));
            g.setColor(Color.WHITE);
            String text = prompt.length() > 60 ? prompt.substring(0, 57) + "..." : prompt;
            g.drawString(text, Math.max(4, width / 32), height - Math.max(8, height / 20));
        } catch (RuntimeException | Error noFonts) {
            // headless JDK without fontconfig fonts: the caption is decoration only
        }
    }

    public static byte[] png(BufferedImage image) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalStateException("no PNG writer");
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long fnv(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : (s == null ? "" : s).getBytes(StandardCharsets.UTF_8)) {
            h ^= b;
            h *= 0x100000001b3L;
        }
        return h;
    }
}
