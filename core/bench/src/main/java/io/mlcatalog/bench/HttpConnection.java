package io.mlcatalog.bench;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * One plain HTTP/1.1 keep-alive connection, as a load generator wants it: exactly one socket, no
 * client-side threads or pools, the response body read into a buffer that is reused. Enough HTTP for
 * the catalog's answers (Content-Length or chunked bodies); not a general client.
 */
final class HttpConnection implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private byte[] body = new byte[64 * 1024];
    private int bodyLength;
    private boolean closeRequested;

    HttpConnection(String host, int port, int timeoutMillis) throws IOException {
        socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            out = socket.getOutputStream();
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** A complete request (head and body), ready to be written as it is. */
    static byte[] request(String method, String host, int port, String path, String contentType, byte[] content, boolean keepAlive) {
        return request(method, host, port, path, contentType, content, keepAlive, null);
    }

    /** As above, with {@code Authorization: <authorization>} when it is not null. */
    static byte[] request(String method, String host, int port, String path, String contentType, byte[] content, boolean keepAlive,
                          String authorization) {
        StringBuilder head = new StringBuilder()
                .append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(host).append(':').append(port).append("\r\n")
                .append("Accept: application/graphql-response+json, application/json\r\n");
        if (authorization != null) {
            head.append("Authorization: ").append(authorization).append("\r\n");
        }
        if (!keepAlive) {
            head.append("Connection: close\r\n");
        }
        if (content != null) {
            head.append("Content-Type: ").append(contentType).append("\r\n")
                    .append("Content-Length: ").append(content.length).append("\r\n");
        }
        head.append("\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.US_ASCII);
        if (content == null) {
            return h;
        }
        byte[] all = Arrays.copyOf(h, h.length + content.length);
        System.arraycopy(content, 0, all, h.length, content.length);
        return all;
    }

    /** Sends the request and reads the whole response; returns the status. The body is in {@link #body()}. */
    int exchange(byte[] request) throws IOException {
        out.write(request);
        out.flush();
        String statusLine = line();
        if (!statusLine.startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP response: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long contentLength = -1;
        boolean chunked = false;
        closeRequested = statusLine.startsWith("HTTP/1.0");
        for (String header = line(); !header.isEmpty(); header = line()) {
            int colon = header.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> contentLength = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" -> closeRequested = value.equalsIgnoreCase("close");
                default -> {
                }
            }
        }
        bodyLength = 0;
        if (chunked) {
            for (int size = Integer.parseInt(chunkSize(line()), 16); size > 0; size = Integer.parseInt(chunkSize(line()), 16)) {
                readBody(size);
                line();
            }
            for (String trailer = line(); !trailer.isEmpty(); trailer = line()) {
                // trailers are not used
            }
        } else if (contentLength >= 0) {
            readBody(Math.toIntExact(contentLength));
        } else {
            closeRequested = true; // body until the server closes: read it all
            int n;
            ensure(body.length);
            while ((n = in.read(body, bodyLength, body.length - bodyLength)) >= 0) {
                bodyLength += n;
                ensure(bodyLength + 8192);
            }
        }
        return status;
    }

    byte[] body() {
        return body;
    }

    int bodyLength() {
        return bodyLength;
    }

    String bodyText() {
        return new String(body, 0, bodyLength, StandardCharsets.UTF_8);
    }

    /** Whether the server said it closes the connection after this response. */
    boolean closeRequested() {
        return closeRequested;
    }

    private static String chunkSize(String line) {
        int semicolon = line.indexOf(';');
        return (semicolon < 0 ? line : line.substring(0, semicolon)).trim();
    }

    private void readBody(int length) throws IOException {
        ensure(bodyLength + length);
        int read = in.readNBytes(body, bodyLength, length);
        if (read < length) {
            throw new EOFException("the connection closed in the middle of a response body");
        }
        bodyLength += length;
    }

    private void ensure(int capacity) {
        if (capacity > body.length) {
            body = Arrays.copyOf(body, Math.max(capacity, body.length * 2));
        }
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder(64);
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                int len = sb.length();
                if (len > 0 && sb.charAt(len - 1) == '\r') {
                    sb.setLength(len - 1);
                }
                return sb.toString();
            }
            sb.append((char) c);
        }
        throw new EOFException("the server closed the connection");
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /**
     * One GET on a fresh connection, closed afterwards: the status, or -1 when nothing listens on the
     * port yet.
     */
    static int probe(String host, int port, String path, int timeoutMillis) throws IOException {
        HttpConnection c;
        try {
            c = new HttpConnection(host, port, timeoutMillis);
        } catch (ConnectException e) {
            return -1;
        }
        try (c) {
            return c.exchange(request("GET", host, port, path, null, null, false));
        }
    }
}
