// The kernel side of `exobench http`: nginx (Debian's nginx-light) with a private
// configuration: it listens on the benchmark's address only, keeps its pid, logs and
// temporary files in the run's directory, and stays in the foreground (`daemon off;`) so
// exobench stops it by pid like every other child.

enum NginxConfig {
    /// The configuration for serving `root` on `address:port`, everything else under `directory`.
    /// Workers as many as CPUs (nginx's `auto`, Debian's default); sendfile, as Debian ships it;
    /// keep-alive without a request limit, as httpd's; the access log buffered.
    static func text(directory: String, root: String, address: String, port: UInt16) -> String {
        """
        daemon off;
        master_process on;
        worker_processes auto;
        user nobody nogroup;
        pid \(directory)/nginx.pid;
        error_log \(directory)/nginx-error.log warn;
        events { worker_connections 1024; }
        http {
            access_log \(directory)/nginx-access.log combined buffer=256k flush=1s;
            client_body_temp_path \(directory)/nginx-body;
            proxy_temp_path \(directory)/nginx-proxy;
            fastcgi_temp_path \(directory)/nginx-fastcgi;
            uwsgi_temp_path \(directory)/nginx-uwsgi;
            scgi_temp_path \(directory)/nginx-scgi;
            default_type application/octet-stream;
            sendfile on;
            tcp_nopush on;
            keepalive_requests 1000000000;
            keepalive_timeout 65;
            server {
                listen \(address):\(port);
                root \(root);
                location / { autoindex off; }
            }
        }
        """
    }
}
