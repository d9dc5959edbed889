/* tests/network/echo.c — a tiny server for 08-network.sh, built static so
 * it runs inside the busybox image (whose nc has no UDP): `echo tcp|udp
 * PORT` answers each connection (TCP) or datagram (UDP) with
 * "from A.B.C.D\n", the peer's address as this side sees it: the test reads
 * NAT in it (masqueraded, or the client's own address kept). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[1], "tcp") && strcmp(argv[1], "udp"))) {
		fprintf(stderr, "usage: echo tcp|udp PORT\n");
		return 2;
	}
	int udp = strcmp(argv[1], "udp") == 0, one = 1;
	int s = socket(AF_INET, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2])) };
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || (!udp && listen(s, 16) < 0)) {
		perror("echo: socket/bind/listen");
		return 1;
	}
	for (;;) {
		struct sockaddr_in peer;
		socklen_t len = sizeof(peer);
		char buf[512], msg[64];
		if (udp) {
			if (recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&peer, &len) < 0)
				continue;
			snprintf(msg, sizeof(msg), "from %s\n", inet_ntoa(peer.sin_addr));
			sendto(s, msg, strlen(msg), 0, (struct sockaddr *)&peer, len);
		} else {
			int c = accept(s, (struct sockaddr *)&peer, &len);
			if (c < 0)
				continue;
			snprintf(msg, sizeof(msg), "from %s\n", inet_ntoa(peer.sin_addr));
			if (write(c, msg, strlen(msg)) < 0)
				perror("echo: write");
			close(c);
		}
	}
}
